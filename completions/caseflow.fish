complete --keep-order --exclusive --command caseflow --arguments "(COMPLETE=fish caseflow -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
