import { z } from "zod";

// One rule for every text field of every route, so that a value the wizard saves is one the
// audit accepts and PostgreSQL stores and returns unchanged:
// - unpaired surrogates are refused: node-pg would encode them as U+FFFD, so the stored value
//   would differ from the one the wizard echoed back;
// - surrounding whitespace is trimmed: pasted names often carry a tab or a newline;
// - control characters left after trimming are refused: PostgreSQL refuses U+0000 in text
//   outright, and the others have no place in a name or address and would garble the report;
// - NFC: "é" typed as one code point or as e + combining accent is the same name to a person,
//   so it is stored one way; the length limit counts the normalised value.
const CONTROL = /\p{Cc}/u;
const LONE_SURROGATE = /\p{Cs}/u;

export interface TextOptions {
  max: number;
  /** A minimum of 1 also refuses a value that is empty once trimmed, as "<field> is required". */
  min?: number;
}

/** A zod schema for a text field named `field` (the name every error message starts with). */
export function text(field: string, { max, min = 0 }: TextOptions) {
  return z.string({ error: `${field} must be a string` }).transform((raw, ctx) => {
    const refuse = (message: string) => {
      ctx.addIssue({ code: "custom", message, input: raw });
      return z.NEVER;
    };
    if (LONE_SURROGATE.test(raw)) {
      return refuse(
        `${field} must not contain unpaired surrogates (a \\uD800-\\uDFFF escape without its pair); send valid UTF-8 or complete surrogate pairs`,
      );
    }
    const trimmed = raw.trim();
    if (CONTROL.test(trimmed)) {
      return refuse(
        `${field} must not contain control characters (U+0000-U+001F, U+007F-U+009F) other than surrounding whitespace; remove them`,
      );
    }
    const value = trimmed.normalize("NFC");
    if (value.length < min) {
      return refuse(
        min === 1 ? `${field} is required` : `${field} must be at least ${min} characters`,
      );
    }
    if (value.length > max) return refuse(`${field} must be at most ${max} characters`);
    return value;
  });
}
