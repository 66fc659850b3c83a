"""The pure core: session, controller, face check, accessibility, privacy, tasks. No I/O, no Kivy,
no HTTP, no SQLite."""
