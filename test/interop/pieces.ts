import { fileURLToPath } from 'node:url';
import { start, waitFor, type Proc } from '../helpers/cli.js';
import { EXIT_MS } from './kit.js';

const SCRIPT = fileURLToPath(new URL('py-pieces.py', import.meta.url));

/** One step of py-pieces.py (see its docstring). */
export type Step =
  | { readonly send: Buffer | string; readonly piece?: number; readonly pause?: number }
  | { readonly recv: number }
  | { readonly until: Buffer | string }
  | { readonly shutdown: true }
  | { readonly eof: true };

export interface PiecesSpec {
  readonly transport: 'tcp' | 'udp' | 'unix' | 'unix-dgram';
  readonly role: 'listen' | 'connect';
  readonly port?: number;
  readonly path?: string;
  readonly bind?: string;
  readonly tls?: boolean;
  readonly steps: readonly Step[];
}

export interface PiecesPeer {
  readonly proc: Proc;
  /** The port it listens on (0 for unix sockets), once it does. */
  readonly ready: Promise<number>;
  /** Everything that arrived, once the script ended (rejects with its stderr if a step timed out). */
  received(): Promise<Buffer>;
  /** A datagram listener's first sender: a unix path as raw bytes, or a UDP port. */
  peer(): Promise<string>;
}

const hex = (bytes: Buffer | string): string => Buffer.from(bytes).toString('hex');

/** Start py-pieces.py with this spec (every wait in it bounded by 10 s). */
export const piecesPeer = (spec: PiecesSpec): PiecesPeer => {
  const steps = spec.steps.map((step) =>
    'send' in step ? { ...step, send: hex(step.send) } : 'until' in step ? { until: hex(step.until) } : step,
  );
  const proc = start('python3', [SCRIPT, JSON.stringify({ ...spec, steps, timeout: 10 })]);
  const line = async (word: string): Promise<string> => {
    const re = new RegExp(`^${word} (\\S*)\n`, 'm');
    await waitFor(() => re.test(proc.stdout().toString()), `${word} from py-pieces`, EXIT_MS).catch(
      (error: unknown) => {
        throw new Error(`${String(error)}; stderr: ${proc.stderr()}`);
      },
    );
    return re.exec(proc.stdout().toString())?.[1] ?? '';
  };
  return {
    proc,
    ready: spec.role === 'listen' ? line('READY').then(Number) : Promise.resolve(0),
    peer: async () => {
      const value = await line('PEER');
      return spec.transport === 'unix-dgram' ? Buffer.from(value, 'hex').toString('latin1') : value;
    },
    received: async () => {
      const status = await proc.exited(EXIT_MS);
      const text = await line('RECEIVED');
      if (status !== 0) throw new Error(`py-pieces exited ${status}: ${proc.stderr()} (received ${text})`);
      return Buffer.from(text, 'hex');
    },
  };
};
