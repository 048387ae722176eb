/** Hides the password of a connection URL: it must never reach a log, an error or a checkpoint. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    return parsed.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1****@');
  }
}
