// Lets a stage library exist before its first source file does.
