# Rules of the variants part (to be written).
