// Text from a node (stderr, device names, anything a hostile node can choose) shown to a person: control
// characters could drive the operator's terminal (OSC 52 writes the clipboard, cursor moves hide lines,
// bidi overrides reorder what is read). Kept: newline and tab. Pure: used by the activities where output is
// captured, by the CLI where it is printed, and by the workflows' Web UI text.

// C0 controls but tab and newline, DEL, C1 controls, and the Unicode bidi embeddings/overrides/isolates.
// eslint-disable-next-line no-control-regex -- matching control characters is this file's whole job
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** Replaces each unsafe character with U+FFFD, so a person sees that something was there. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, '\uFFFD');
}

/** Markdown code block for untrusted text: the fence is longer than any run of backticks inside it. */
export function markdownCodeBlock(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${terminalSafe(text)}\n${fence}`;
}
