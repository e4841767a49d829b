/**
 * `sasl.jaas.config` as Kafka reads it (org.apache.kafka.common.security.JaasConfig): one login
 * module entry, `<class> <flag> [key=value ...];`, values quoted with `"` or `'` (backslash escapes)
 * or bare words, `//` and `/* *\/` comments allowed. Errors say what is wrong and where, never the
 * text around it: a JAAS string carries a password.
 */
import { configError } from "../errors.ts";

export interface JaasEntry {
  loginModule: string;
  flag: "required" | "requisite" | "sufficient" | "optional";
  options: Map<string, string>;
}

export function parseJaas(text: string): JaasEntry {
  const tokens = tokenize(text);
  let at = 0;
  const next = () => tokens[at++];
  const word = (what: string): string => {
    const token = next();
    if (token?.kind !== "word") throw jaasError(`expected ${what}`);
    return token.text;
  };

  const loginModule = word("a login module class name");
  const flag = word("a control flag (required, requisite, sufficient or optional)");
  if (flag !== "required" && flag !== "requisite" && flag !== "sufficient" && flag !== "optional") {
    throw jaasError("the control flag must be required, requisite, sufficient or optional");
  }
  const options = new Map<string, string>();
  for (;;) {
    const token = next();
    if (token === undefined) throw jaasError("the entry must end with ';'");
    if (token.kind === "symbol" && token.text === ";") break;
    if (token.kind !== "word") throw jaasError(`expected an option name (option ${options.size + 1})`);
    const key = token.text;
    const equals = next();
    if (equals?.kind !== "symbol" || equals.text !== "=")
      throw jaasError(`option ${key} has no '=' after its name`);
    const value = next();
    if (value === undefined || value.kind === "symbol") throw jaasError(`option ${key} has no value`);
    options.set(key, value.text);
  }
  if (at < tokens.length) {
    throw jaasError("it holds more than one login module entry; Kafka accepts exactly one");
  }
  return { loginModule, flag, options };
}

// --- internal ---

type Token = { kind: "word" | "quoted" | "symbol"; text: string };

const WORD = /[A-Za-z0-9_$.\-\u00a0-\uffff]/;
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" };

function jaasError(problem: string) {
  return configError(`protocol.sasl_jaas_config cannot be parsed: ${problem}.`);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith("//", i)) {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end + 1;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      if (end === -1) throw jaasError("a /* comment is not closed");
      i = end + 2;
    } else if (c === '"' || c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw jaasError("a quoted value is not closed");
        const ch = text.charAt(i);
        if (ch === c) break;
        if (ch === "\\" && i + 1 < text.length) {
          const escaped = text.charAt(i + 1);
          value += ESCAPES[escaped] ?? escaped;
          i += 2;
        } else {
          value += ch;
          i++;
        }
      }
      i++;
      tokens.push({ kind: "quoted", text: value });
    } else if (c === "=" || c === ";") {
      tokens.push({ kind: "symbol", text: c });
      i++;
    } else if (WORD.test(c)) {
      let end = i;
      while (end < text.length && WORD.test(text.charAt(end))) end++;
      tokens.push({ kind: "word", text: text.slice(i, end) });
      i = end;
    } else {
      throw jaasError(`unexpected character at position ${i + 1}`);
    }
  }
  return tokens;
}
