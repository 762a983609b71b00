import type { ReactNode } from 'react';
import type { User } from '../api';
import { Link } from '../components/Link';
import { session } from '../store';

export function RequireUser({ admin = false, children }: { admin?: boolean; children: (user: User) => ReactNode }) {
  const { loaded, user } = session.use();
  if (!loaded) return <p className="muted">Loading…</p>;
  if (!user) {
    return (
      <section className="panel narrow">
        <h1>Log in first</h1>
        <p>You need an account for this page.</p>
        <Link href={`/login?next=${encodeURIComponent(window.location.pathname)}`} className="btn btn-gold">Log in</Link>
      </section>
    );
  }
  if (admin && user.role !== 'ADMIN') {
    return (
      <section className="panel narrow">
        <h1>Admins only</h1>
        <p>This page is for administrators.</p>
      </section>
    );
  }
  return <>{children(user)}</>;
}
