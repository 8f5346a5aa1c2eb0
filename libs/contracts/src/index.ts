export const HELLO = 'hello';
