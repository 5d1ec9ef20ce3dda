/** A request URL without its query string, which may hold anything a client typed. */
export function pathOf(url: string | undefined): string {
  const value = url ?? '';
  const q = value.indexOf('?');
  return q === -1 ? value : value.slice(0, q);
}
