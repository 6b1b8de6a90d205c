# fish completion for @NAME@, printed by "@NAME@ completion fish".
# The candidates come from "@NAME@ __complete WORD...", which reads the
# command definitions and, for PATH:TAG, the layout's index.json.

function __@FUNC@_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmd $tokens[1]
    string match -q '~/*' -- $cmd; and set cmd $HOME/(string sub -s 3 -- $cmd)
    set -l out ($cmd __complete $tokens[2..-1] "$cur" 2>/dev/null)
    set -q out[1]; or return
    string match -q ':*' -- $out[1]; or return
    set -l directive (string split -m1 \t -- (string sub -s 2 -- $out[1]))
    set -l action $directive[1]
    set -l prefix $directive[2]
    set -q out[2]; and printf '%s\n' $out[2..-1]
    test "$action" = none; and return
    set -l val (string sub -s (math (string length -- "$prefix") + 1) -- "$cur")
    set -l files
    switch $action
        case files
            set files (__fish_complete_path "$val")
        case dirs
            set files (__fish_complete_directories "$val")
        case layouts
            set files (__fish_complete_directories "$val") (__fish_complete_path "$val" | string match -r '^[^\t]*\.tar\t.*$')
    end
    for f in $files
        printf '%s%s\n' "$prefix" "$f"
    end
end

complete -c @NAME@ -f -a '(__@FUNC@_complete)'
