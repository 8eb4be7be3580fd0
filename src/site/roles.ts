// Pure (no zod) so workflow code can use it too.

/** A node's role: as written, else the first three nodes are managers and the rest workers (DESIGN.md section 3). */
export function nodeRole(nodes: readonly { role?: 'manager' | 'worker' }[], index: number): 'manager' | 'worker' {
  return nodes[index]?.role ?? (index < 3 ? 'manager' : 'worker');
}
