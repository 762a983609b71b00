import { useState, type FormEvent } from 'react';
import { ApiError, api, type User } from '../api';
import { Link } from '../components/Link';
import { navigate } from '../router';
import { signedIn } from '../store';

type Field = 'username' | 'password' | 'form';

// Which field an API error belongs next to.
function fieldOf(error: ApiError): Field {
  switch (error.code) {
    case 'auth/username_taken':
    case 'auth/username_lookalike':
    case 'auth/invalid_username':
      return 'username';
    case 'auth/weak_password':
      return 'password';
    default:
      return 'form';
  }
}

function redirectTarget(): string {
  const next = new URLSearchParams(window.location.search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage({ mode }: { mode: 'login' | 'signup' }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [busy, setBusy] = useState(false);
  const signup = mode === 'signup';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local: Partial<Record<Field, string>> = {};
    if (!/^[A-Za-z0-9_-]{3,24}$/.test(username)) local.username = 'Usernames are 3 to 24 letters, digits, "_" or "-".';
    if (signup && password.length < 8) local.password = 'The password must be 8 to 200 characters.';
    if (!signup && password.length === 0) local.password = 'Enter your password.';
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      const result = await api<{ user: User }>('POST', signup ? '/api/auth/signup' : '/api/auth/login', { username, password });
      await signedIn(result.user);
      navigate(redirectTarget());
    } catch (error) {
      if (error instanceof ApiError) setErrors({ [fieldOf(error)]: error.message });
      else setErrors({ form: 'Cannot reach the server.' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="auth-wrap">
      <form className="panel auth-card" onSubmit={submit} noValidate aria-labelledby="auth-title">
        <div className="auth-suits" aria-hidden="true"><span>♠</span><span className="red">♥</span><span>♣</span><span className="red">♦</span></div>
        <h1 id="auth-title">{signup ? 'Take a seat' : 'Welcome back'}</h1>
        <p className="muted">{signup ? 'Create an account to buy chips and play.' : 'Log in to play, or watch any table without an account.'}</p>
        <label className="field">
          <span className="field-label">Username</span>
          <input
            name="username" autoComplete="username" value={username} autoFocus
            onChange={(e) => setUsername(e.target.value)}
            aria-invalid={errors.username ? true : undefined}
            aria-describedby={errors.username ? 'username-error' : undefined}
          />
          {errors.username && <span className="field-error" id="username-error" role="alert">{errors.username}</span>}
        </label>
        <label className="field">
          <span className="field-label">Password</span>
          <input
            name="password" type="password" autoComplete={signup ? 'new-password' : 'current-password'} value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={errors.password ? true : undefined}
            aria-describedby={errors.password ? 'password-error' : undefined}
          />
          {errors.password && <span className="field-error" id="password-error" role="alert">{errors.password}</span>}
        </label>
        {errors.form && <p className="form-error" role="alert">{errors.form}</p>}
        <button className="btn btn-gold btn-block" type="submit" disabled={busy}>
          {busy ? 'Please wait…' : signup ? 'Create account' : 'Log in'}
        </button>
        <p className="auth-switch">
          {signup ? 'Already have an account? ' : 'New here? '}
          <Link href={signup ? '/login' : '/signup'}>{signup ? 'Log in' : 'Create an account'}</Link>
        </p>
      </form>
    </section>
  );
}
