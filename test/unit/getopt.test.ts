import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { getopt, type GetoptSpec } from '../../src/options/getopt.js';

const specs: GetoptSpec[] = [
  { key: 'listen', short: 'l', takesValue: false },
  { key: 'verbose', short: 'v', takesValue: false },
  { key: 'port', short: 'p', takesValue: true },
  { key: 'quit', short: 'q', takesValue: true },
  { key: 'family', short: '4', takesValue: false, impliedValue: '4' },
  { key: 'family', short: '6', takesValue: false, impliedValue: '6' },
  { key: 'noShutdown', long: 'no-shutdown', takesValue: false },
  { key: 'allow', long: 'allow', takesValue: true },
];

describe('getopt: argv split as glibc getopt_long does', () => {
  it.each([
    [['-lvp', '8001'], ['--listen', '--verbose', '--port=8001'], []],
    [['-lp8001'], ['--listen', '--port=8001'], []],
    [
      ['-46', 'h', '1'],
      ['--family=4', '--family=6'],
      ['h', '1'],
    ],
    [['-q', '-1', 'h', '1'], ['--quit=-1'], ['h', '1']],
    [['-q-1', 'h', '1'], ['--quit=-1'], ['h', '1']],
    [['h', '1', '-v'], ['--verbose'], ['h', '1']],
    [['--no-shutdown', 'h', '1'], ['--noShutdown'], ['h', '1']],
    [['--allow', '10.0.0.0/8', '--allow=::1'], ['--allow=10.0.0.0/8', '--allow=::1'], []],
    [['-v', '--', '-l', '1'], ['--verbose'], ['-l', '1']],
    [['-', '1'], [], ['-', '1']],
  ])('%j', (argv, options, operands) => {
    expect(getopt(argv, specs)).toEqual({ options, operands });
  });

  it.each([
    [['-Y'], "invalid option -- 'Y'"],
    [['-lY'], "invalid option -- 'Y'"],
    [['-p'], "option requires an argument -- 'p'"],
    [['-lp'], "option requires an argument -- 'p'"],
    [['--bogus'], "unrecognized option '--bogus'"],
    [['--allow'], "option '--allow' requires an argument"],
    [['--no-shutdown=1'], "option '--no-shutdown' doesn't allow an argument"],
  ])('%j fails with getopt wording', (argv, message) => {
    expect(() => getopt(argv, specs)).toThrow(new UsageError(message, true));
  });
});
