/** The server's version, as in package.json (a test keeps the two equal). */
export const Version = "0.1.0"
