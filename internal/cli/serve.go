package cli

import "context"

func runServe(ctx context.Context, args []string, env Env) error {
	return usagef("serve: not built yet")
}
