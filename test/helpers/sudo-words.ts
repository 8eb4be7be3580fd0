// What sudo says to a password on stdin (`sudo -S -p ''`), as a real Debian 12 node's sudo 1.9.13 printed it
// (the real-node tier checks these on its nodes; test/sim/sudo-words.test.ts holds the simulator to the same).
// At end of input sudo prints an empty line (the prompt's newline), then `no password was provided`, then
// either `a password is required` (no line at all) or the count of wrong ones.
export const SUDO_PASSWORD_CASES = (password: string): { what: string; stdin: string; code: number; stderr: string }[] => [
  { what: 'the right password', stdin: `${password}\n`, code: 0, stderr: '' },
  { what: 'one wrong line, then end of input', stdin: 'not-it\n', code: 1, stderr: 'Sorry, try again.\n\nsudo: no password was provided\nsudo: 1 incorrect password attempt\n' },
  { what: 'three wrong lines', stdin: 'a\nb\nc\n', code: 1, stderr: 'Sorry, try again.\nSorry, try again.\nsudo: 3 incorrect password attempts\n' },
  { what: 'no input', stdin: '', code: 1, stderr: '\nsudo: no password was provided\nsudo: a password is required\n' },
];
/** `-k`: a cached ticket is ignored, so each case is checked by the password itself. */
export const SUDO_PROBE = "sudo -S -p '' -k true";
