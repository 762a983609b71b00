import { useEffect, useState } from 'react';
import type { LobbyTable } from '@protocol';
import { getSocket, send } from './socket';

/**
 * The lobby's live table list (`lobby:subscribe`, then a `lobby:tables` push whenever seats,
 * waiting lists or a close change), resubscribed after a reconnect; null until the first answer.
 * The lobby and the admin's tables tab read it.
 */
export function useLobbyTables(): LobbyTable[] | null {
  const [tables, setTables] = useState<LobbyTable[] | null>(null);
  useEffect(() => {
    const socket = getSocket();
    const subscribe = () => {
      void send<'lobby:subscribe', { tables: LobbyTable[] }>('lobby:subscribe', {}).then((ack) => {
        if (ack.ok) setTables(ack.tables);
      });
    };
    const onTables = (list: LobbyTable[]) => setTables(list);
    socket.on('lobby:tables', onTables);
    socket.on('connect', subscribe);
    if (socket.connected) subscribe();
    return () => {
      socket.off('lobby:tables', onTables);
      socket.off('connect', subscribe);
      if (socket.connected) void send('lobby:unsubscribe', {});
    };
  }, []);
  return tables;
}
