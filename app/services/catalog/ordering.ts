/** True when an incoming copy is older than the stored one: a late delivery that must not win. */
export function isOlder(incoming: Date, stored: Date | undefined): boolean {
  return stored !== undefined && stored > incoming;
}
