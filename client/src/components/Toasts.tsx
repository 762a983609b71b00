import { dismissToast, toasts } from '../store';

export function Toasts() {
  const list = toasts.use();
  return (
    <div className="toasts" role="region" aria-label="Notifications" aria-live="polite">
      {list.map((t) => (
        // A tap anywhere on a toast dismisses it (a phone's thumb misses the small ×, which keyboards keep).
        <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} onClick={() => dismissToast(t.id)}>
          <span>{t.text}</span>
          <button className="toast-close" aria-label="Dismiss notification" onClick={() => dismissToast(t.id)}>×</button>
        </div>
      ))}
    </div>
  );
}
