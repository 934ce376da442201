// The operators' console texts of one area (issue 11): spread into the one catalogue (src/web/messages.ru.ts).
export const adminClose = {
} satisfies Record<string, string | { one: string; few: string; many: string; other: string }>;
