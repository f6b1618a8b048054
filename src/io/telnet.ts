const IAC = 255;
const DONT = 254;
const DO = 253;
const WONT = 252;
const WILL = 251;

/**
 * -t: answer RFC 854 option negotiation by refusing everything, as nc.openbsd's atelnet(): WILL or
 * WONT gets DONT, DO or DONT gets WONT. The bytes themselves still go to stdout, as in nc. Returns
 * a function per session that takes what arrived and gives what to send back; a command cut
 * between two reads is completed with the next one. The chunk may live in the shared receive
 * buffer, which the next read overwrites: the cut command is kept as a copy.
 */
export const telnetAnswerer = (): ((chunk: Buffer) => Buffer | undefined) => {
  let carry: Buffer = Buffer.alloc(0);
  return (chunk) => {
    const data = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    carry = Buffer.alloc(0);
    const reply: number[] = [];
    for (let i = 0; i < data.length; i += 1) {
      if (data[i] !== IAC) continue;
      const command = data[i + 1];
      if (command === undefined) {
        carry = Buffer.from(data.subarray(i));
        break;
      }
      if (command === WILL || command === WONT || command === DO || command === DONT) {
        const option = data[i + 2];
        if (option === undefined) {
          carry = Buffer.from(data.subarray(i));
          break;
        }
        reply.push(IAC, command === WILL || command === WONT ? DONT : WONT, option);
        i += 2;
      } else {
        // IAC IAC (a data byte 255) and the other commands need no answer.
        i += 1;
      }
    }
    return reply.length === 0 ? undefined : Buffer.from(reply);
  };
};
