/**
 * The one error type the extension raises about its backend, with a kind the UI can act on.
 *
 * kinds: "offline" (nothing answered), "not-papershelf" (something else owns the port),
 * "incompatible" (412: another API version), "unauthorised" (401: token missing or wrong),
 * "refused" (any other 4xx: the message says why), "not-a-paper" (422).
 */
export class BackendError extends Error {
  /**
   * @param {string} message  what a person reads
   * @param {{kind: string, status?: number, cause?: unknown}} details
   */
  constructor(message, { kind, status = 0, cause } = { kind: "refused" }) {
    super(message, { cause });
    this.name = this.constructor.name;
    this.kind = kind;
    this.status = status;
  }

  /** A plain object that survives runtime.sendMessage. */
  toJSON() {
    return { name: this.name, kind: this.kind, status: this.status, message: this.message };
  }
}
