import { useEffect, useRef, useState } from 'react';

// The seated player's table controls (sit out / in, top up, leave): a row of
// buttons where there is room, a menu behind one button on a phone so the
// header stays one line and the felt keeps the screen. Both are rendered; CSS
// shows one of them (see .table-controls-inline / .table-menu in styles.css).

export interface TableControl {
  label: string;
  onSelect: () => void;
  disabled?: boolean;
}

export function TableControls({ controls }: { controls: TableControl[] }) {
  return (
    <>
      <span className="table-controls-inline">
        {controls.map((c) => (
          <button key={c.label} className="btn btn-ghost btn-sm" onClick={c.onSelect} disabled={c.disabled}>{c.label}</button>
        ))}
      </span>
      <TableMenu controls={controls} />
    </>
  );
}

function TableMenu({ controls }: { controls: TableControl[] }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    root.current?.querySelector<HTMLButtonElement>('[role=menuitem]:not(:disabled)')?.focus();
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div className="table-menu" ref={root}>
      <button ref={button} className="btn btn-ghost btn-sm menu-btn" aria-label="Table menu" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span aria-hidden="true">⋯</span>
      </button>
      {open && (
        <div className="menu-list" role="menu" aria-label="Table menu">
          {controls.map((c) => (
            <button
              key={c.label} role="menuitem" className="menu-item" disabled={c.disabled}
              onClick={() => {
                setOpen(false);
                c.onSelect();
              }}
            >
              {c.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
