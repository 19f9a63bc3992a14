package respfiltertest

// The pools the generated values are drawn from, one entry a line. They
// are constants, split where a generator needs them.

// poolLogins are the handles of a code host's users: login, name.
const poolLogins = `
lena-kowalski|Lena Kowalski
omarfarouk|Omar Farouk
jwu-dev|Jun Wu
ines-marques|Ines Marques
tpetrov|Todor Petrov
hanna-berg|Hanna Berg
dmitri-k|Dmitri Kuznetsov
priya-raman|Priya Raman
sam-okafor|Samuel Okafor
marta-lis|Marta Lis
kenji-ito|Kenji Ito
fatima-z|Fatima Zahra
alex-novak|Alex Novak
ruth-adeyemi|Ruth Adeyemi
carlos-mendez|Carlos Mendez
noor-haddad|Noor Haddad
beatrice-ln|Beatrice Lindqvist
yusuf-demir|Yusuf Demir
elena-vasquez|Elena Vasquez
felix-brandt|Felix Brandt`

// poolFirstNames and poolLastNames make up people's names.
const (
	poolFirstNames = `
Lena
Omar
Jun
Ines
Todor
Hanna
Dmitri
Priya
Samuel
Marta
Kenji
Fatima
Alex
Ruth
Carlos
Noor
Beatrice
Yusuf
Elena
Felix
Grace
Mateo
Aisha
Lucas`
	poolLastNames = `
Kowalski
Farouk
Wu
Marques
Petrov
Berg
Kuznetsov
Raman
Okafor
Lis
Ito
Zahra
Novak
Adeyemi
Mendez
Haddad
Lindqvist
Demir
Vasquez
Brandt
Oduya
Rossi
Karimi
Moreau`
)

// poolIssueTitles are titles of bug reports and feature requests.
const poolIssueTitles = `
Export to CSV drops rows when a cell contains a newline
Login page crashes when the password manager fills the form
Dark mode: code blocks are unreadable in the diff view
Add an option to retry failed webhook deliveries
Memory grows steadily when the sync worker runs for days
Search ignores accented characters in titles
Upgrade guide is missing the database migration step
Timezone of scheduled reports is wrong after the DST change
Support SSO login with Okta and Azure AD
Rate limiter blocks the health check endpoint
Attachments larger than 25 MB fail without an error message
Docs: the example config uses a deprecated field
Dashboard takes 12 seconds to load for large teams
Keyboard shortcuts conflict with the browser on macOS
API returns 500 when the page parameter is negative
Allow filtering invoices by customer tag
Flaky test: TestQueueDrain times out on CI
Notifications are sent twice after a reconnect
Crash on startup when the config file is empty
Pagination links point to the wrong host behind a proxy
Add Spanish and Portuguese translations
Importing a Postman collection loses the auth headers
The mobile layout hides the save button
Deprecate the v1 endpoints and document the replacement
Unicode filenames are mangled in the download dialog
Improve error message when the API key is expired
Bulk delete leaves orphaned comments in the database
Charts render blank in Safari 17
Make the session timeout configurable per workspace
Upgrade the bundled SQLite to fix the WAL corruption bug
CLI prints a stack trace instead of a usage message
Webhook signatures fail to verify with a trailing slash`

// poolIssueSentences are the prose of issue and pull request bodies.
const poolIssueSentences = `
After upgrading to the latest release the page stays blank and the console shows a TypeError.
It happens every time I open a project with more than two hundred items.
I could reproduce it on two machines, one on Windows 11 and one on Ubuntu 24.04.
Rolling back to the previous version makes the problem go away.
The logs show the worker retrying the same job every few seconds.
Our team relies on this for the weekly report, so it blocks us.
I expected the export to contain every row, including the ones with line breaks.
The request eventually fails with a timeout after thirty seconds.
This started after we moved the service behind an nginx reverse proxy.
A workaround is to disable the cache, but that makes every page slower.
I looked at the code and the loop seems to skip the last batch.
Happy to send a pull request if the approach below sounds right.
The same steps work fine in Firefox, only Chrome is affected.
Memory usage climbs from 200 MB to over 2 GB within a day.
Customers have started to report it through the support inbox.
The documentation says this should be supported since version 3.2.
It would help a lot to have a setting for this instead of a hard-coded value.
Nothing unusual shows up in the server logs at the time of the failure.
I attached a screenshot and the full error output below.
This looks related to the change that switched the date library.
Running the migration by hand fixes it, but new installs still hit it.
We see it on roughly one request in fifty, so it is hard to catch.
The API returns the right data, so the problem must be in the rendering.
Other users on the forum report the same thing since last week.`

// poolPullTitles are titles of pull requests.
const poolPullTitles = `
Fix CSV export for cells with embedded newlines
Retry webhook deliveries with exponential backoff
Stream large attachments instead of buffering them in memory
Normalize accented characters before indexing titles
Add Okta and Azure AD to the SSO providers
Exclude the health check from the rate limiter
Show a clear error when an upload exceeds the size limit
Update the example config to the new field names
Cache dashboard queries per team for five minutes
Return 400 for a negative page parameter
Add a customer tag filter to the invoices list
Deflake TestQueueDrain by waiting on the drain signal
Deduplicate notifications after a reconnect
Bump the bundled SQLite to 3.47.2
Print usage instead of a stack trace on unknown flags
Accept webhook URLs with a trailing slash when verifying signatures
Refactor the scheduler to use one ticker per workspace
Add Spanish and Portuguese translations
Move the mobile save button into the sticky footer
Document the replacement for every v1 endpoint`

// poolBranches are the names of topic branches.
const poolBranches = `
fix/csv-newlines
feat/webhook-retries
fix/stream-attachments
fix/search-accents
feat/sso-okta-azure
fix/ratelimit-healthz
fix/upload-size-error
docs/example-config
perf/dashboard-cache
fix/negative-page
feat/invoice-tag-filter
test/deflake-queue-drain
fix/duplicate-notifications
chore/bump-sqlite
fix/cli-usage
fix/webhook-trailing-slash
refactor/scheduler-ticker
i18n/es-pt
fix/mobile-save-button
docs/v1-deprecation`

// poolCommitMessages are the subjects of commits.
const poolCommitMessages = `
Fix off-by-one in the export batch loop
Retry webhook deliveries with backoff and jitter
Stream attachments to disk instead of memory
Normalize titles to NFC before indexing
Add Okta provider to the SSO settings
Skip rate limiting for the health endpoint
Return a clear error for oversized uploads
Update example config to the renamed fields
Cache dashboard aggregates per team
Validate the page parameter in list handlers
Add tag filter to the invoices query
Wait for the drain signal in TestQueueDrain
Drop duplicate notifications after reconnect
Bump SQLite to 3.47.2
Print usage on unknown flags
Trim trailing slash before verifying signatures
Use one ticker per workspace in the scheduler
Add Spanish translation strings
Make the save button sticky on small screens
Document the v1 deprecation timeline`

// poolCommitBodies are the explaining paragraphs of commits.
const poolCommitBodies = `
The loop stopped one batch early when the row count was a multiple of the batch size.
Deliveries that failed with a 5xx were dropped; they now retry up to five times.
Buffering a 2 GB upload in memory brought the worker down under load.
Titles typed on macOS arrive decomposed, so the index missed them.
The load balancer polls the health endpoint every second and tripped the limiter.
The old names still work but print a warning at startup.
Aggregating every project on each load took seconds for large teams.
Without it the test raced the worker on slow CI runners.
Reconnecting re-subscribed the client without dropping the old subscription.
This fixes the WAL corruption reported upstream.`

// poolLabels are a repository's labels: name, color, description.
const poolLabels = `
bug|d73a4a|Something isn't working
enhancement|a2eeef|New feature or request
documentation|0075ca|Improvements or additions to documentation
good first issue|7057ff|Good for newcomers
help wanted|008672|Extra attention is needed
performance|fbca04|Slow or resource hungry
needs-triage|ededed|Not looked at yet
regression|b60205|Used to work in an earlier release
security|ee0701|Security related
question|d876e3|Further information is requested`

// poolWorkflows are a repository's workflows: name, file.
const poolWorkflows = `
CI|ci.yml
Release|release.yml
CodeQL|codeql.yml
Docs|docs.yml
Nightly|nightly.yml`

// poolProducts are a shop's products: title, variant, vendor, sku, price,
// grams.
const poolProducts = `
Merino Crew Sweater|Charcoal / M|Northfold|NF-MCS-CH-M|89.00|420
Merino Crew Sweater|Oat / L|Northfold|NF-MCS-OT-L|89.00|440
Canvas Weekender Bag|Olive|Harbor Goods|HG-CWB-OL|145.00|1350
Ceramic Pour-Over Set|White|Kiln & Co|KC-POS-WH|58.00|900
Organic Cotton Tee|Navy / S|Northfold|NF-OCT-NV-S|32.00|180
Organic Cotton Tee|White / M|Northfold|NF-OCT-WH-M|32.00|185
Leather Card Wallet|Tan|Harbor Goods|HG-LCW-TN|45.00|60
Wool Beanie|Rust|Northfold|NF-WB-RS|28.00|90
Stoneware Mug 350 ml|Speckled|Kiln & Co|KC-SM-SP|24.00|380
Trail Running Socks 3-Pack|Grey / M|Ridgeway|RW-TRS-GY-M|21.00|120
Waxed Rain Jacket|Black / L|Ridgeway|RW-WRJ-BK-L|210.00|980
Linen Table Napkins Set of 4|Sand|Kiln & Co|KC-LTN-SD|36.00|240`

// poolCities are addresses: city, province, province code, country,
// country code, zip.
const poolCities = `
Portland|Oregon|OR|United States|US|97205
Austin|Texas|TX|United States|US|78701
Brooklyn|New York|NY|United States|US|11201
Toronto|Ontario|ON|Canada|CA|M5V 2T6
Vancouver|British Columbia|BC|Canada|CA|V6B 1A1
Denver|Colorado|CO|United States|US|80202
Chicago|Illinois|IL|United States|US|60607
Seattle|Washington|WA|United States|US|98101`

// poolStreets are street addresses.
const poolStreets = `
1234 Alder Street
88 Harbor Way
415 Maple Avenue
27 King Street West
902 Granville Street
3100 Blake Street
640 West Randolph Street
1501 Pike Place`

// poolTicketSubjects are the subjects of support tickets.
const poolTicketSubjects = `
Order arrived damaged, need a replacement
Charged twice for the same subscription
Cannot reset my password, the email never arrives
How do I change the shipping address on my order?
Refund still not received after two weeks
Tracking number shows no updates since Monday
Invoice needs our company VAT number
Wrong size delivered in my last order
Account locked after too many login attempts
Question about the warranty on my jacket
Discount code not applied at checkout
Cancel my order before it ships please
App crashes when I open my order history
Can I add a gift message to an existing order?
Package marked delivered but not received`

// poolTicketSentences are the prose of ticket descriptions.
const poolTicketSentences = `
Hi, I placed an order last week and it arrived today.
The box was crushed and one of the mugs is broken.
I was charged twice on my credit card statement for the same month.
I have tried three times and checked my spam folder as well.
Could you please let me know what I need to do next?
My order number is in the subject line of the confirmation email.
I need this sorted before the end of the month for our accounts.
The tracking page says the label was created but nothing since.
I would prefer an exchange rather than a refund if possible.
Thanks in advance for your help.
This is the second time this has happened with an order.
I am travelling next week so an answer before Friday would be great.
The checkout page accepted the code but the total did not change.
Please call me back on the number on my account if that is easier.`

// poolCompanies are customers' companies: name, domain.
const poolCompanies = `
Brightline Logistics|brightline.io
Cobalt Dental Group|cobaltdental.com
Fernwood Architects|fernwood.studio
Granite Peak Outfitters|granitepeak.co
Helix Biolabs|helixbio.com
Juniper Hospitality|juniperhotels.com
Kestrel Analytics|kestrel.ai
Lumen Solar|lumensolar.com
Meridian Freight|meridianfreight.com
Northstar Credit Union|northstarcu.org`

// poolJobTitles are contacts' job titles.
const poolJobTitles = `
Head of Operations
VP of Sales
Office Manager
Procurement Lead
Chief Financial Officer
IT Director
Customer Success Manager
Marketing Coordinator
Founder & CEO
Facilities Manager`

// poolChargeDescriptions are what a charge was for.
const poolChargeDescriptions = `
Subscription update
Pro plan, monthly
Team plan, annual
Order #4821
Order #4822
Invoice INV-2026-0193
Add-on seats (5)
Usage overage, October`

// poolRepoLinks are the templated links of a repository object: key
// without "_url", path under the repository's API URL.
const poolRepoLinks = `
forks|forks
keys|keys{/key_id}
collaborators|collaborators{/collaborator}
teams|teams
hooks|hooks
issue_events|issues/events{/number}
events|events
assignees|assignees{/user}
branches|branches{/branch}
tags|tags
blobs|git/blobs{/sha}
git_tags|git/tags{/sha}
git_refs|git/refs{/sha}
trees|git/trees{/sha}
statuses|statuses/{sha}
languages|languages
stargazers|stargazers
contributors|contributors
subscribers|subscribers
subscription|subscription
commits|commits{/sha}
git_commits|git/commits{/sha}
comments|comments{/number}
issue_comment|issues/comments{/number}
contents|contents/{+path}
compare|compare/{base}...{head}
merges|merges
archive|{archive_format}{/ref}
downloads|downloads
issues|issues{/number}
pulls|pulls{/number}
milestones|milestones{/number}
notifications|notifications{?since,all,participating}
labels|labels{/name}
releases|releases{/id}
deployments|deployments`
