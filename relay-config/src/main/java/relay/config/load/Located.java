package relay.config.load;

import com.typesafe.config.ConfigOrigin;

/** Where something was written: the origin of its value and its config path. */
record Located(ConfigOrigin origin, String path) {}
