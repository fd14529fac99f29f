-- Links in the book.  Between chapters: ../NN-slug/README.md becomes ../NN-slug/index.html.
-- To the chapter's own header, stub or hints: their .txt copies beside the page.  To any other
-- file of the project (a suite, a data file, chapters/common): a .txt copy under _src/, made
-- here (BOOK_OUT names the book's folder).
local out = os.getenv("BOOK_OUT") or "build/book"
local input = (PANDOC_STATE.input_files or {})[1] or ""
local chapter_dir = input:match("^(.*)/[^/]*$") or "."

local function normalise(path)
  local parts = {}
  for p in path:gmatch("[^/]+") do
    if p == ".." then table.remove(parts) elseif p ~= "." then table.insert(parts, p) end
  end
  return table.concat(parts, "/")
end

function Link(el)
  local t = el.target
  if t:match("^https?:") or t:match("^mailto:") or t:match("^#") then return el end
  local path, anchor = t:match("^([^#]*)(#?.*)$")
  if path:match("^%.%./[0-9][0-9]%-[a-z%-]+/README%.md$") then
    el.target = path:gsub("README%.md$", "index.html") .. anchor
  elseif path:match("README%.md$") then
    el.target = path:gsub("README%.md$", "index.html") .. anchor
  elseif not path:find("/") and (path:match("%.[ch]$") or path:match("%.md$")) then
    el.target = path .. ".txt" .. anchor -- copied beside the page by build.sh
  elseif path:match("^%.%./") and chapter_dir ~= "." then
    local repo = normalise(chapter_dir .. "/" .. path)
    local f = io.open(repo, "r")
    if f then
      f:close()
      local dst = out .. "/_src/" .. repo .. ".txt"
      os.execute(string.format("mkdir -p '%s' && cp '%s' '%s'", dst:match("^(.*)/[^/]*$"), repo, dst))
      el.target = "../_src/" .. repo .. ".txt" .. anchor
    end
  end
  return el
end
