# Rules of the practices part (to be written).
