/**
 * -T keywords and their IP ToS byte, as nc.openbsd's process_tos_opt() (DSCP code points and the
 * old precedence / ToS names).
 */
export const TOS_KEYWORDS: Readonly<Record<string, number>> = {
  af11: 0x28,
  af12: 0x30,
  af13: 0x38,
  af21: 0x48,
  af22: 0x50,
  af23: 0x58,
  af31: 0x68,
  af32: 0x70,
  af33: 0x78,
  af41: 0x88,
  af42: 0x90,
  af43: 0x98,
  critical: 0xa0,
  cs0: 0x00,
  cs1: 0x20,
  cs2: 0x40,
  cs3: 0x60,
  cs4: 0x80,
  cs5: 0xa0,
  cs6: 0xc0,
  cs7: 0xe0,
  ef: 0xb8,
  inetcontrol: 0xc0,
  lowdelay: 0x10,
  netcontrol: 0xe0,
  reliability: 0x04,
  throughput: 0x08,
};

/** The ToS byte for a -T value (keyword, 0xNN or decimal 0-255), or undefined if it is not one. */
export const parseTos = (text: string): number | undefined => {
  const keyword = TOS_KEYWORDS[text];
  if (keyword !== undefined) return keyword;
  const value = /^0x[0-9a-fA-F]{1,2}$/.test(text)
    ? parseInt(text, 16)
    : /^\d{1,3}$/.test(text)
      ? Number(text)
      : NaN;
  return value >= 0 && value <= 255 ? value : undefined;
};
