/** `app` of `mongodb://host/app?…` (or `mongodb+srv://…`, several hosts): the database a connection string names, if any. */
export function databaseInUrl(url: string): string | undefined {
  const name = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?#]+)/.exec(url)?.[1];
  return name === undefined ? undefined : decodeURIComponent(name);
}
