// The closed set of reasons a command can be refused. A rejection is a normal outcome (a
// late click, a stale client, a malicious message), so it is a value, never an exception.
// The Record below makes the compiler demand a message for every code.

export type RejectionCode =
  | 'command/invalid'
  | 'seq/stale'
  | 'seat/invalid'
  | 'seat/taken'
  | 'seat/empty'
  | 'seat/player_already_seated'
  | 'seat/already_sitting_out'
  | 'seat/already_sitting_in'
  | 'amount/invalid'
  | 'hand/in_progress'
  | 'hand/not_in_progress'
  | 'hand/not_enough_players'
  | 'hand/id_invalid'
  | 'deck/invalid'
  | 'button/invalid'
  | 'posts/invalid'
  | 'turn/not_your_turn'
  | 'action/illegal'
  | 'bet/below_min'
  | 'bet/below_min_raise'
  | 'bet/above_max'
  | 'run_out/not_pending'
  | 'show/no_cards'
  | 'show/already_face_up';

export const REJECTION_MESSAGES: Record<RejectionCode, string> = {
  'command/invalid': 'The command is malformed.',
  'seq/stale': 'The table has moved on since this action was decided; refresh and retry.',
  'seat/invalid': 'There is no such seat at this table.',
  'seat/taken': 'That seat is already taken.',
  'seat/empty': 'Nobody sits in that seat.',
  'seat/player_already_seated': 'This player already sits at this table.',
  'seat/already_sitting_out': 'The player is already sitting out.',
  'seat/already_sitting_in': 'The player is already sitting in.',
  'amount/invalid': 'The amount must be a positive whole number of chips.',
  'hand/in_progress': 'Not allowed while a hand is being played; wait for the hand to end.',
  'hand/not_in_progress': 'No hand is being played.',
  'hand/not_enough_players': 'At least two players with chips must be sitting in.',
  'hand/id_invalid': 'The hand id must be a non-empty string.',
  'deck/invalid': 'The deck must hold the 52 distinct cards.',
  'button/invalid': 'The button must be on a seat that is dealt in.',
  'posts/invalid': 'A seat posting to enter must be dealt in, once, and be neither the button nor a blind.',
  'turn/not_your_turn': 'It is not this seat’s turn to act.',
  'action/illegal': 'That action is not available now.',
  'bet/below_min': 'The bet is smaller than the minimum bet.',
  'bet/below_min_raise': 'The raise is smaller than the minimum raise.',
  'bet/above_max': 'The bet is larger than the maximum allowed.',
  'run_out/not_pending': 'No all-in run-out is waiting for its next card.',
  'show/no_cards': 'You hold no cards of a finished hand to show.',
  'show/already_face_up': 'Those cards are already face up.',
};

export function rejection(code: RejectionCode): { ok: false; rejection: { code: RejectionCode; message: string } } {
  return { ok: false, rejection: { code, message: REJECTION_MESSAGES[code] } };
}
