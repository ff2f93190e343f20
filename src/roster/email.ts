import { z } from "zod";

const emailShape = z.email();

/** Why `value` cannot be an email address to look a person up by, or undefined when it can. */
export function emailProblem(value: string): string | undefined {
  if (value.trim() !== value) return "has leading or trailing whitespace";
  if (!emailShape.safeParse(value).success) return "is not an email address (expected e.g. ada@example.com)";
  return undefined;
}

/**
 * Whether an email (compared without regard to case) names this ACS user, as `lookupAcsUser`
 * matches: the user's own `email_address`, or that of the user identity it belongs to.
 */
export function hasEmail(u: { readonly email?: string; readonly userIdentityEmail?: string }, email: string): boolean {
  const wanted = email.toLowerCase();
  return u.email?.toLowerCase() === wanted || u.userIdentityEmail?.toLowerCase() === wanted;
}
