"""Words that follow "I'm", "it's" or "this is" in customer messages without being names.

The first-name finder (nlu/names.py) takes the word after an introduction only when it is
not one of these (nor an -ing or -ed word): "I'm looking for...", "I'm not
happy", "it's broken", "this is ridiculous". Grouped by kind, lower case.
"""
from __future__ import annotations

_FEELINGS = """
sorry happy unhappy glad pleased angry annoyed fuming furious livid mad upset fed sick
tired frustrated disappointed gutted confused lost stuck worried concerned scared afraid
desperate delighted thrilled impressed satisfied dissatisfied fine good ok okay alright
great well unwell ill grateful thankful sure unsure certain positive curious keen eager
ready done finished bored busy free late early new old young retired unemployed pregnant
disabled deaf blind away abroad home back here there outside inside nearby local online
offline single married divorced unable able interested afraid ashamed amazed shocked
raging seething gobsmacked baffled puzzled flabbergasted hopeful patient impatient
desperately really very so too quite pretty extremely totally completely absolutely
literally honestly genuinely seriously actually basically currently already also still
just only even never always now finally probably definitely simply truly kinda sorta
beyond fairly rather somewhat properly proper utterly deeply bitterly massively hugely
"""
_STATES = """
broken dead down slow fast faster slower cheap cheaper expensive pricey wrong right
correct incorrect urgent important serious terrible awful horrible rubbish useless bad
worse worst poor shocking appalling ridiculous unacceptable disgusting disgraceful
pathetic insane crazy mental bonkers annoying irritating fine working off on up out
over gone missing late overdue faulty damaged cracked smashed frozen dodgy patchy flaky
intermittent unstable unreliable fixed sorted resolved closed open free included
available unavailable possible impossible true false real fake weird strange odd
same different other another something nothing anything everything someone somebody
anyone anybody everyone nobody none
"""
_AFTER_IM = """
a an the not no with without in at on from for to of by about after into onto under
looking trying calling ringing messaging writing texting contacting emailing having
getting paying moving switching leaving thinking hoping planning wondering considering
waiting trying asking enquiring inquiring interested after over still gonna going
wanting needing using living staying working studying travelling traveling visiting
being told charged overcharged billed cut locked stuck signed tied based located moved
customer client member user subscriber student parent mum mom dad owner tenant landlord
manager engineer agent human person bot robot robotic machine computer
"""
_DOMAIN = """
broadband internet wifi wi-fi fibre fiber mobile phone phones sim tv telly television
router hub box device devices handset smartphone tablet laptop modem bundle package plan
contract deal deals offer offers bill bills billing invoice charge charges payment refund
price prices cost money order orders delivery parcel engineer installation install
connection signal speed speeds coverage line network data calls texts service support
account email number address postcode reference ref complaint problem issue fault
question query help advice info information details name surname password pin
northwind telecom vodafone ee bt sky virgin o2 three talktalk plusnet
"""
_SMALL_TALK = """
hi hello hey hiya hia howdy yo morning afternoon evening night thanks thank thx ta
cheers bye goodbye yes yeah yep yup no nope nah please pls plz sure maybe perhaps
lol haha ugh hmm um erm oh wow oops great cool nice brilliant perfect excellent fantastic
amazing awesome lovely sweet fab grand superb wonderful menu start stop cancel quit exit
help again anyway whatever because cause since though although however but and or
today tomorrow yesterday tonight week month year monday tuesday wednesday thursday
friday saturday sunday january february march july september
october november december weekend christmas soon later asap
"""
_FUNCTION = """
is am are was were be been being do does did done can could would should shall might
must have has had get got go went if as than then so such all any some every each both
either neither more most less few many much own ever also too yet just let lets
im ive id ill its it's i'm i've i'd dont don't cant can't wont won't isnt isn't
"""
_CONTEXT = """
me you him her us them it this that these those my your his its our their mine yours
who what which where when why how whose whom here there
"""

NON_NAMES = frozenset(
    word for group in (_FEELINGS, _STATES, _AFTER_IM, _DOMAIN, _SMALL_TALK, _FUNCTION, _CONTEXT)
    for word in group.split()
)

# Names that end like participles ("-ed"), which the finder otherwise passes over.
ED_NAMES = frozenset(
    "ahmed mohammed muhammed mohamed hamed javed naveed saeed rasheed syed waleed khaled "
    "fred ted jed ned reed zed ed".split()
)
