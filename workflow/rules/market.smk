# Rules of the market part (to be written).
