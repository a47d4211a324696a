halfclose replay: --pkt=/tmp/tmp.hQ22c3QamV/profiles.db is the store /tmp/tmp.hQ22c3QamV/profiles.db itself: refusing to write over it
