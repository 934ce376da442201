// Texts of the testers' tools (issue 14: the movable clock's banner): spread into the one catalogue (src/web/messages.ru.ts).
export const testing = {
  'testing.clock.banner': 'Тестовое время: {at}',
} satisfies Record<string, string | { one: string; few: string; many: string; other: string }>;
