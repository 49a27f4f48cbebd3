import { useId, useMemo, useRef } from 'react';
import { jsonPositions, JsonSyntaxError, lineForPath, type JsonPositions } from '../jsonpos';

export interface FieldIssue {
  path: string;
  message: string;
}

interface Props {
  label: string;
  value: string;
  onChange: (v: string) => void;
  /** Problems the server reported, each shown at the line of its field. */
  issues?: FieldIssue[];
  rows?: number;
  readOnly?: boolean;
}

/**
 * A plain textarea with a line-number gutter. Server validation errors are marked in the gutter at their field's
 * line and listed underneath; choosing one selects that line in the text.
 */
export function JsonEditor({ label, value, onChange, issues = [], rows = 24, readOnly }: Props) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lineCount = value.split('\n').length;

  const parsed = useMemo((): { pos: JsonPositions | null; syntax: JsonSyntaxError | null } => {
    try {
      return { pos: jsonPositions(value), syntax: null };
    } catch (e) {
      return { pos: null, syntax: e instanceof JsonSyntaxError ? e : new JsonSyntaxError(String(e), 1, 1) };
    }
  }, [value]);

  const located = useMemo(() => issues.map((iss) => ({ ...iss, line: parsed.pos ? lineForPath(parsed.pos, iss.path) : 1 })), [issues, parsed.pos]);
  const marked = new Map<number, string[]>();
  for (const l of located) marked.set(l.line, [...(marked.get(l.line) ?? []), `${l.path || '(router)'}: ${l.message}`]);
  if (parsed.syntax) marked.set(parsed.syntax.line, [parsed.syntax.message]);

  const goTo = (line: number) => {
    const el = area.current;
    if (!el) return;
    const all = value.split('\n');
    const start = all.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    el.focus();
    el.setSelectionRange(start, start + (all[line - 1]?.length ?? 0));
    const lineHeight = el.scrollHeight / Math.max(all.length, 1);
    el.scrollTop = Math.max((line - 3) * lineHeight, 0);
  };

  return (
    <div className="json-editor">
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <div className={`editor-frame${located.length || parsed.syntax ? ' has-errors' : ''}`}>
        <div className="gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lineCount }, (_, n) => {
            const msgs = marked.get(n + 1);
            return (
              <div key={n} className={msgs ? 'gutter-line error' : 'gutter-line'} title={msgs?.join('\n')}>
                {msgs ? '● ' : ''}
                {n + 1}
              </div>
            );
          })}
        </div>
        <textarea
          id={id}
          ref={area}
          className="code"
          value={value}
          rows={rows}
          wrap="off"
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          readOnly={readOnly}
          aria-invalid={located.length > 0 || parsed.syntax !== null}
          aria-describedby={`${id}-issues`}
          onChange={(e) => onChange(e.target.value)}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
          onKeyDown={(e) => {
            // Tab indents inside the editor; Escape then Tab leaves it, so keyboard users are never trapped.
            if (e.key === 'Tab' && !e.shiftKey && !e.currentTarget.dataset.escaped) {
              e.preventDefault();
              const el = e.currentTarget;
              const { selectionStart: s, selectionEnd: t } = el;
              onChange(value.slice(0, s) + '  ' + value.slice(t));
              requestAnimationFrame(() => el.setSelectionRange(s + 2, s + 2));
            } else if (e.key === 'Escape') e.currentTarget.dataset.escaped = '1';
            else delete e.currentTarget.dataset.escaped;
          }}
        />
      </div>
      <ul className="issues" id={`${id}-issues`} aria-live="polite">
        {parsed.syntax && (
          <li>
            <button type="button" className="linkish" onClick={() => goTo(parsed.syntax!.line)}>
              line {parsed.syntax.line}
            </button>{' '}
            <span className="issue-msg">Not valid JSON: {parsed.syntax.message}</span>
          </li>
        )}
        {located.map((l, n) => (
          <li key={n} data-path={l.path}>
            <button type="button" className="linkish" onClick={() => goTo(l.line)}>
              line {l.line}
            </button>{' '}
            <code>{l.path || '(router)'}</code> <span className="issue-msg">{l.message}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
