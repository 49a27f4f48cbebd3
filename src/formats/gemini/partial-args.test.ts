import { describe, expect, it } from 'vitest';
import { parseJsonPath, PartialArgs } from './partial-args.js';

describe('parseJsonPath', () => {
  it('reads dotted names, indices and quoted keys', () => {
    expect(parseJsonPath('$.recipe.ingredients[0].amount')).toEqual(['recipe', 'ingredients', 0, 'amount']);
    expect(parseJsonPath("$['a.b'][\"c]\"][2]")).toEqual(['a.b', 'c]', 2]);
    expect(parseJsonPath('$')).toEqual([]);
  });

  it('rejects what it does not understand', () => {
    for (const bad of ['recipe.name', '$.', '$[x]', '$[-1]', "$['open", '$..a']) expect(parseJsonPath(bad), bad).toBeNull();
  });
});

describe('PartialArgs', () => {
  it('joins a string only while its previous piece said it continues', () => {
    const p = new PartialArgs({ fixed: 1 });
    p.apply([{ jsonPath: '$.s', stringValue: 'ab', willContinue: true }]);
    p.apply([{ jsonPath: '$.s', stringValue: 'cd' }]);
    p.apply([{ jsonPath: '$.s', stringValue: 'replaced' }]);
    p.apply([{ jsonPath: '$.list[1]', numberValue: 2.5 }, { jsonPath: '$.list[0]', boolValue: false }, { jsonPath: '$.obj.n', nullValue: 'NULL_VALUE' }]);
    p.apply([{ jsonPath: 'garbage', stringValue: 'x' }, 'not an object', { stringValue: 'no path' }]);
    expect(p.args).toEqual({ fixed: 1, s: 'replaced', list: [false, 2.5], obj: { n: null } });
  });

  it('does not modify the initial arguments it was given', () => {
    const initial = { a: { b: 1 } };
    new PartialArgs(initial).apply([{ jsonPath: '$.a.b', numberValue: 2 }]);
    expect(initial).toEqual({ a: { b: 1 } });
  });
});
