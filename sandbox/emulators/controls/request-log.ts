/** What the API received, for tests to assert on: method, path (with query) and final status only. */

export interface LoggedRequest {
  method: string;
  /** Path (after the API prefix), with query string. */
  path: string;
  /** 0 while unanswered (e.g. a hanging fault). */
  status: number;
}

export class RequestLog {
  private entries: LoggedRequest[] = [];

  /** Records a request; the caller sets `status` on the returned entry once it answers. */
  start(method: string, path: string): LoggedRequest {
    const entry = { method, path, status: 0 };
    this.entries.push(entry);
    return entry;
  }

  list(): LoggedRequest[] {
    return this.entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
  }
}
