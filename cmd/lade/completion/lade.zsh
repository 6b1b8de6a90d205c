#compdef @NAME@

# zsh completion for @NAME@, printed by "@NAME@ completion zsh".
# The candidates come from "@NAME@ __complete WORD...", which reads the
# command definitions and, for PATH:TAG, the layout's index.json.

_@FUNC@() {
	local cmd=${words[1]} directive action prefix line w ret=1
	local -a out cands
	[[ $cmd == '~/'* ]] && cmd=$HOME/${cmd#'~/'}
	out=("${(@f)$("$cmd" __complete "${(@Q)words[2,CURRENT]}" 2>/dev/null)}")
	directive=${out[1]}
	[[ $directive == :* ]] || return 1
	action=${${directive%%$'\t'*}#:}
	prefix=${directive#*$'\t'}
	for line in "${(@)out[2,-1]}"; do
		[[ -n $line ]] || continue
		w=${line%%$'\t'*}
		if [[ $line == *$'\t'* ]]; then
			cands+=("${w//:/\\:}:${line#*$'\t'}")
		else
			cands+=("${w//:/\\:}")
		fi
	done
	if (( ${#cands} )); then
		_describe -t values 'candidates' cands && ret=0
	fi
	if [[ $action != none ]]; then
		[[ -n $prefix ]] && compset -P "${(b)prefix}"
		case $action in
		files) _files && ret=0 ;;
		dirs) _files -/ && ret=0 ;;
		layouts) _files -g '*.tar(-.)' && ret=0 ;;
		esac
	fi
	return ret
}

if [[ $funcstack[1] == _@FUNC@ ]]; then
	_@FUNC@ "$@"
else
	compdef _@FUNC@ @NAME@
fi
