/** True for a PostgreSQL connection URL (postgres:// or postgresql://), which --db and $INFERSCOPE_DB accept. */
export function isPostgresUrl(ref: string): boolean {
  return /^postgres(ql)?:\/\//i.test(ref.trim());
}

/** The URL as shown in messages and stored: the password replaced by ***. */
export function redactPgUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}
