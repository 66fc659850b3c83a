"""视频帮办 on the console side: the signalling hub between terminals and staff browsers.

`hours` (staff hours), `messages` (the wire, /work/wt/VIDEO_PROTOCOL.md = docs/video-protocol.md),
`queue` (waiting calls, positions, estimates, routing by queue), `records` (one row per call),
`hub` (the live state of one console process) and `sockets` (the two WebSocket endpoints).
"""
