import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { getSocket } from './socket';
import { listenForBalance, listenForSessionEnd, loadSession } from './store';
import './styles.css';

getSocket();
listenForBalance();
listenForSessionEnd();
void loadSession();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
