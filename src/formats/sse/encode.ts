const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Encodes one event: `event: <event>\n` (when given), one `data: <line>\n` per line of `data` (split on `\r\n`, `\r`
 * or `\n`, which a reader joins back with `\n`), then the blank line.
 */
export function encodeEvent(event: string | undefined, data: string): string {
  let head = '';
  if (event !== undefined) {
    if (event.includes('\n') || event.includes('\r')) throw new TypeError('encodeEvent: the event name must not contain a line break');
    head = `event: ${event}\n`;
  }
  if (!data.includes('\n') && !data.includes('\r')) return `${head}data: ${data}\n\n`;
  let out = head;
  for (const line of data.split(LINE_BREAK)) out += `data: ${line}\n`;
  return out + '\n';
}
