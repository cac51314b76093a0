-- GET the URL as given (health, a list, a search), with the bearer token.
package.path = os.getenv("YW_BENCH_DIR") .. "/?.lua;" .. package.path
require("common")
done = yw_done
