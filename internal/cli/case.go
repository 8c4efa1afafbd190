package cli

import "context"

func runCase(ctx context.Context, args []string, env Env) error {
	return usagef("case: not built yet")
}
