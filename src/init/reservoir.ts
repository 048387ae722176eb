/**
 * A uniform random sample of fixed size over a stream of unknown length (Vitter's algorithm R),
 * seeded so that two runs of `init` on the same source draft the same schema.
 */
export class Reservoir<T> {
  private readonly kept: T[] = [];
  private seen = 0;
  private state: number;

  constructor(
    private readonly size: number,
    seed: number,
  ) {
    this.state = seed >>> 0 || 1;
  }

  /** Offers one item; `keep` makes the copy that is stored (the item itself may be a transient view). */
  offer(item: T, keep: () => T = () => item): void {
    this.seen++;
    if (this.kept.length < this.size) {
      this.kept.push(keep());
      return;
    }
    const j = Math.floor(this.random() * this.seen);
    if (j < this.size) this.kept[j] = keep();
  }

  items(): T[] {
    return this.kept;
  }

  /** xorshift32: fast, and enough for picking documents. */
  private random(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x1_0000_0000;
  }
}
