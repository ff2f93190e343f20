/**
 * A Seam that cannot be reached, said once per provider process: the first resource whose call
 * meets it carries the line that names the endpoint, where it was set and what to check; every
 * other resource of the run (in flight at once, or after) says it was not sent and points to that
 * line. The client already says so per request (client.ts), but resources share requests (the
 * credentials' workspace is read once for all), so the provider decides per resource.
 */
import { SeamUnreachableError } from "../seam/errors";

export class UnreachableOnce {
  private reported = false;

  /** Runs a provider call; a SeamUnreachableError it throws is the full line the first time, the pointer after. */
  async during<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (e) {
      if (!(e instanceof SeamUnreachableError)) throw e;
      if (this.reported) throw e.repeated();
      this.reported = true;
      throw e.first;
    }
  }
}
