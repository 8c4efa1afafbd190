package cli

import "context"

func runCheck(ctx context.Context, args []string, env Env) error {
	return usagef("check: not built yet")
}
