"""room panel: the header's "Open a room", the room bar (teacher and student), predict polls."""
