halfclose replay: --pkt=/tmp/tmp.IXLqQK1qeZ/profiles.db is the store /tmp/tmp.IXLqQK1qeZ/profiles.db itself: refusing to write over it
