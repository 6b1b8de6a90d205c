# bash completion for @NAME@, printed by "@NAME@ completion bash".
# The candidates come from "@NAME@ __complete WORD...", which reads the
# command definitions and, for PATH:TAG, the layout's index.json.

# _@FUNC@_words rejoins the words of the command line that bash split at the
# ':' and '=' of COMP_WORDBREAKS (PATH:TAG, --flag=value), into the array
# _@FUNC@_joined, whose last element is the word being completed.
_@FUNC@_words() {
	local line=${COMP_LINE-} i w glue rest
	_@FUNC@_joined=()
	for ((i = 0; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]-}
		glue=0
		if [[ -n $line ]]; then
			# No white space before the word in the line: it continues the
			# previous one.
			rest=${line#"${line%%[![:space:]]*}"}
			((i > 0 && ${#rest} == ${#line})) && glue=1
			line=${rest#"$w"}
		elif ((i > 0)) && [[ $w =~ ^[:=]+$ || ${COMP_WORDS[i - 1]} =~ ^[:=]+$ ]]; then
			glue=1
		fi
		if ((glue)); then
			_@FUNC@_joined[-1]+=$w
		else
			_@FUNC@_joined+=("$w")
		fi
	done
}

_@FUNC@_complete() {
	local cmd=${COMP_WORDS[0]} cur before directive action prefix val c f i
	local -a _@FUNC@_joined out
	[[ $cmd == '~/'* ]] && cmd=$HOME/${cmd#'~/'}
	_@FUNC@_words
	cur=${_@FUNC@_joined[-1]}
	# Readline replaces only the text after the last COMP_WORDBREAKS
	# character of the word: every candidate loses what comes before.
	before=
	for ((i = ${#cur} - 1; i >= 0; i--)); do
		if [[ ${COMP_WORDBREAKS-} == *"${cur:i:1}"* ]]; then
			before=${cur:0:i+1}
			break
		fi
	done
	mapfile -t out < <("$cmd" __complete "${_@FUNC@_joined[@]:1}" 2>/dev/null)
	COMPREPLY=()
	directive=${out[0]-}
	[[ $directive == :* ]] || return 0
	action=${directive%%$'\t'*}
	action=${action#:}
	prefix=${directive#*$'\t'}
	for c in "${out[@]:1}"; do
		c=${c%%$'\t'*}
		[[ $c == "$before"* ]] && COMPREPLY+=("${c#"$before"}")
	done
	[[ $action == none ]] && return 0
	compopt -o filenames 2>/dev/null || true
	val=${cur#"$prefix"}
	while IFS= read -r f; do
		f=$prefix$f
		[[ $f == "$before"* ]] && COMPREPLY+=("${f#"$before"}")
	done < <(
		case $action in
		files) compgen -f -- "$val" ;;
		dirs) compgen -d -- "$val" ;;
		layouts)
			compgen -d -- "$val"
			compgen -f -X '!*.tar' -- "$val"
			;;
		esac
	)
	return 0
}

complete -F _@FUNC@_complete @NAME@
