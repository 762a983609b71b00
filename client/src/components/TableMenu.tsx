import { useEffect, useRef, useState } from 'react';

// The table's controls: the seat's (sit out / in, top up, leave) as a row of buttons where
// there is room, and a menu behind one button on a phone so the head stays one line, its
// buttons a thumb's size, and the table's name whole. Both are rendered; CSS shows one of them
// (see .table-controls-inline / .table-menu in styles.css). The menu also holds the settings the
// desktop's head shows as icon buttons (the sound, the turn notifications), which a phone's head
// has no room for.

export interface TableControl {
  label: string;
  onSelect: () => void;
  disabled?: boolean;
  /** A setting the item turns on and off (a menu checkbox), on when true. */
  checked?: boolean;
}

export interface TableControlsProps {
  /** The seat's controls: buttons on a desktop, in the menu on a phone. */
  controls: TableControl[];
  /** Only ever in the menu (on a desktop the head has their icon buttons), after the seat's controls. */
  settings?: TableControl[];
}

export function TableControls({ controls, settings = [] }: TableControlsProps) {
  return (
    <>
      <span className="table-controls-inline">
        {controls.map((c) => (
          <button key={c.label} className="btn btn-ghost btn-sm" onClick={c.onSelect} disabled={c.disabled}>{c.label}</button>
        ))}
      </span>
      {controls.length + settings.length > 0 && <TableMenu controls={controls} settings={settings} />}
    </>
  );
}

function TableMenu({ controls, settings }: Required<TableControlsProps>) {
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
    root.current?.querySelector<HTMLButtonElement>('[role^=menuitem]:not(:disabled)')?.focus();
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const item = (c: TableControl) => (
    <button
      key={c.label} role={c.checked === undefined ? 'menuitem' : 'menuitemcheckbox'} aria-checked={c.checked} className="menu-item" disabled={c.disabled}
      onClick={() => {
        setOpen(false);
        c.onSelect();
      }}
    >
      {c.label}
      {c.checked !== undefined && (
        <span className="menu-check" aria-hidden="true">
          {c.checked && <svg width="12" height="12" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="4" strokeLinecap="round" strokeLinejoin="round"><path d="M4 12.5l5 5L20 6.5" /></svg>}
        </span>
      )}
    </button>
  );

  return (
    <div className="table-menu" ref={root}>
      <button ref={button} className="btn btn-ghost btn-sm menu-btn" aria-label="Table menu" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span aria-hidden="true">⋯</span>
      </button>
      {open && (
        <div className="menu-list" role="menu" aria-label="Table menu">
          {controls.map(item)}
          {controls.length > 0 && settings.length > 0 && <div className="menu-sep" role="separator" />}
          {settings.map(item)}
        </div>
      )}
    </div>
  );
}
