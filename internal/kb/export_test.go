package kb

// Open and FromSnapshot are Builtin for any folder, and its snapshot path
// alone.
var (
	Open         = open
	FromSnapshot = fromSnapshot
)
